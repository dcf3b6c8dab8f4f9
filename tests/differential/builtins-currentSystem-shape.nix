builtins.match "[^-]+-[^-]+" builtins.currentSystem != null
