let
  v = {
    list = [
      1
      "two"
      { three = 3; }
    ];
    nested.deep.value = null;
    flag = true;
  };
in
builtins.fromJSON (builtins.toJSON v) == v
