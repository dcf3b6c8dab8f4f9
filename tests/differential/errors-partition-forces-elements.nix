builtins.length (builtins.partition (x: true) [ (throw "partition forces each element") ]).right
