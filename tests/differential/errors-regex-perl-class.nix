builtins.match "\\d+" "123"
