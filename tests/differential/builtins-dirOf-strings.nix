map dirOf [ "/" "a" "" "/a/" "a//b" "/a/b/c" "a/b/" "//a" ]
