# An assertion failing in a function without an environment of its own.
let f = x: assert x > 0; x; in f (0 - 1)
