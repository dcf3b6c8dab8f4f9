map builtins.splitVersion [ "1.2.3pre4" "..a" "1-2_3" "2.0rc1" "1..2" ]
