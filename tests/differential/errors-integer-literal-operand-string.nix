# A string plus an integer literal.
(x: x + 1) "a"
