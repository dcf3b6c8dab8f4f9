let x = throw "forced"; in [ x ] == [ x ]
