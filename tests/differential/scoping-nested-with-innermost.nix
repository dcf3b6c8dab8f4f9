with {
  x = 1;
  y = 1;
};
with { x = 2; };
[
  x
  y
]
