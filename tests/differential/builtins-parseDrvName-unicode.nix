builtins.parseDrvName "name-with-λ-1.0λ"
