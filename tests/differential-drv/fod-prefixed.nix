derivation { name = "fodpre"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = "sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"; }
