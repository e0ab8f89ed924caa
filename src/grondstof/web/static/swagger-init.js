// Start Swagger UI on /docs. A file rather than an inline script: the Content-Security-Policy allows none.
// validatorUrl null: no badge fetched from validator.swagger.io (nothing leaves the machine).
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
