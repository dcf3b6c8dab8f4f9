[
  ''
    abc
    ''
  ''
    abc
  def''
  ''  ''
  ''''
]
