"""What-if analyses: supplier cut-offs, Monte Carlo disruptions, stockpiles, transition demand, mass balance."""
