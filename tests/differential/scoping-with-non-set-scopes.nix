[
  (with 1; 2)
  (let x = 1; in with 1; x)
  (with null; true)
  (with (throw "outer scope never searched"); with { z = 1; }; z)
]
