"""Design from specs: sensitivity of margins to tolerances, nominal optimisation, centring."""
