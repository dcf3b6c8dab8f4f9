with {
  true = 1;
  map = 2;
  null = 3;
};
[
  true
  (map (x: x + 1) [ 1 ])
  null
]
