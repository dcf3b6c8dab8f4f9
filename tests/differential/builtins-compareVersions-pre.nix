map (v: builtins.compareVersions v "1.0") [ "1.0pre" "1.0" "1.0.0" "" "1.0a" "0.9" "1.0-rc1" ]
