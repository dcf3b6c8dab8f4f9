# The value of a locked flake (what `builtins.getFlake` returns), built the
# way current CppNix's call-flake.nix builds it. neve's own text.
#
#   lockFileStr     the lock file computed by getFlake, as JSON
#   overrides       node key -> { sourceInfo; dir; } for the trees getFlake
#                   fetched while locking (the root among them)
#   fetchTreeFinal  fetches a lock file entry as it is locked

lockFileStr: overrides: fetchTreeFinal:

let
  lock = builtins.fromJSON lockFileStr;

  # A node's input is a node key, or a `follows` path from the root.
  keyOf = spec: if builtins.isList spec then walk lock.root spec else spec;

  # The node reached from `key` along the input names in `path`.
  walk =
    key: path:
    if path == [ ] then
      key
    else
      walk (keyOf lock.nodes.${key}.inputs.${builtins.head path}) (builtins.tail path);

  nodes = builtins.mapAttrs (
    key: node:
    let
      fetched = overrides ? ${key};

      # `path:./x` inputs live inside the tree of the flake that names them.
      relative = (node.locked.type or null) == "path" && builtins.substring 0 1 node.locked.path != "/";

      parent = nodes.${walk lock.root node.parent};

      sourceInfo =
        if fetched then
          overrides.${key}.sourceInfo
        else if relative then
          parent.sourceInfo
        else
          fetchTreeFinal (node.info or { } // removeAttrs node.locked [ "dir" ]);

      dir = overrides.${key}.dir or node.locked.dir or "";

      root =
        if !fetched && relative then
          parent.outPath + (if node.locked.path == "" then "" else "/" + node.locked.path)
        else
          sourceInfo.outPath;

      outPath = root + (if dir == "" then "" else "/" + dir);

      flake = import (outPath + "/flake.nix");

      inputs = builtins.mapAttrs (name: spec: nodes.${keyOf spec}.result) (node.inputs or { });

      outputs = flake.outputs (inputs // { self = result; });

      # The outputs, the source's metadata, and the flake's own attributes
      # (its `outPath` includes the subdirectory, unlike the source's).
      result =
        outputs
        // sourceInfo
        // {
          inherit outPath inputs outputs sourceInfo;
          _type = "flake";
        };
    in
    {
      result =
        if node.flake or true then
          assert builtins.isFunction flake.outputs;
          result
        else
          sourceInfo // { inherit sourceInfo outPath; };
      inherit outPath sourceInfo;
    }
  ) lock.nodes;
in
nodes.${lock.root}.result
