"""What-if analyses: supplier cut-offs, Monte Carlo, stockpiles, transition demand, mass balance."""
