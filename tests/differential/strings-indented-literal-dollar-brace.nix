''
  $ {not interpolated}
  ''${still not}
  $$${"yes"}
''
