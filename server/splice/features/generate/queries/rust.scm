(function_item) @function
[(line_comment) (block_comment)] @comment
