let
  __nixPath = [
    {
      prefix = "fix";
      path = toString ./lib;
    }
  ];
in
[
  (baseNameOf <fix/text.txt>)
  (let __findFile = path: name: "found-${name}"; in <anything/here>)
]
