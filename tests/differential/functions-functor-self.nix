let
  obj = {
    value = 5;
    __functor = self: arg: self // { value = self.value + arg; };
  };
in
(obj 3 4).value
