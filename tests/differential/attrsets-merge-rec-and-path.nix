[
  {
    a = rec {
      b = 1;
      d = b + 1;
    };
    a.c = 2;
  }
  (rec {
    a.b = 1;
    a.c = a.b + 1;
  })
]
