[
  (function_declaration)
  (method_declaration)
] @function
(comment) @comment
