"""Reports an analyst can send on as is: HTML (self-contained), PDF and Excel from one document model."""
