; Only comments: stub detection is not defined for this language.
(comment) @comment
