builtins.elemAt (builtins.genList (i: if i == 5 then throw "five" else i * i) 10) 3
