builtins.length (builtins.sort (a: b: true) [ (throw "sort forces even a single element") ])
