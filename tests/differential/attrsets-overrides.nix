[
  (rec {
    a = 1;
    b = a;
    __overrides = {
      a = 2;
    };
  }).b
  (rec {
    x = 1;
    __overrides = {
      y = 3;
    };
  }).y
]
