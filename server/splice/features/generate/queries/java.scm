[
  (method_declaration)
  (constructor_declaration)
] @function
[(line_comment) (block_comment)] @comment
