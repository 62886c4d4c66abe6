; Splice extraction query for Python (capture names: see index/extract.py).

; ---- definitions -------------------------------------------------------------------------------------------
(class_definition name: (identifier) @name) @definition.class
(function_definition name: (identifier) @name) @definition.function

; module-level names, also under `if TYPE_CHECKING:` / `try:` at module level
(module (expression_statement (assignment left: (identifier) @name) @definition.value))
(module (if_statement consequence: (block (expression_statement (assignment left: (identifier) @name) @definition.value))))
(module (if_statement alternative: (else_clause body: (block (expression_statement (assignment left: (identifier) @name) @definition.value)))))
(module (try_statement body: (block (expression_statement (assignment left: (identifier) @name) @definition.value))))

; class attributes (dataclass fields, enum members, class constants)
(class_definition body: (block (expression_statement (assignment left: (identifier) @name) @definition.field)))

; ---- uses ---------------------------------------------------------------------------------------------------
(call function: [(identifier) (attribute)] @call)
(class_definition superclasses: (argument_list [(identifier) (attribute)] @inherit))
(class_definition superclasses: (argument_list (subscript value: [(identifier) (attribute)] @inherit)))

(call arguments: (argument_list [(identifier) (attribute)] @ref))
(keyword_argument value: [(identifier) (attribute)] @ref)
(decorator [(identifier) (attribute)] @ref)
(type [(identifier) (attribute)] @ref)
(assignment right: [(identifier) (attribute)] @ref)
(augmented_assignment right: [(identifier) (attribute)] @ref)
(return_statement [(identifier) (attribute)] @ref)
(yield [(identifier) (attribute)] @ref)
(await [(identifier) (attribute)] @ref)
(raise_statement [(identifier) (attribute)] @ref)
(except_clause [(identifier) (attribute)] @ref)
(as_pattern [(identifier) (attribute)] @ref)
(binary_operator [(identifier) (attribute)] @ref)
(boolean_operator [(identifier) (attribute)] @ref)
(comparison_operator [(identifier) (attribute)] @ref)
(not_operator argument: [(identifier) (attribute)] @ref)
(unary_operator argument: [(identifier) (attribute)] @ref)
(conditional_expression [(identifier) (attribute)] @ref)
(if_statement condition: [(identifier) (attribute)] @ref)
(while_statement condition: [(identifier) (attribute)] @ref)
(assert_statement [(identifier) (attribute)] @ref)
(for_statement right: [(identifier) (attribute)] @ref)
(for_in_clause right: [(identifier) (attribute)] @ref)
(subscript value: [(identifier) (attribute)] @ref)
(subscript subscript: [(identifier) (attribute)] @ref)
(list [(identifier) (attribute)] @ref)
(tuple [(identifier) (attribute)] @ref)
(set [(identifier) (attribute)] @ref)
(pair key: [(identifier) (attribute)] @ref)
(pair value: [(identifier) (attribute)] @ref)
(interpolation expression: [(identifier) (attribute)] @ref)
(with_item value: [(identifier) (attribute)] @ref)
(lambda body: [(identifier) (attribute)] @ref)
(default_parameter value: [(identifier) (attribute)] @ref)
(typed_default_parameter value: [(identifier) (attribute)] @ref)
(expression_statement [(identifier) (attribute)] @ref)
(parenthesized_expression [(identifier) (attribute)] @ref)
(list_splat [(identifier) (attribute)] @ref)
(dictionary_splat [(identifier) (attribute)] @ref)

; ---- names bound inside a function (parameters, assignments, loop and with targets) -----------------------
(parameters (identifier) @local)
(lambda_parameters (identifier) @local)
(default_parameter name: (identifier) @local)
(typed_parameter (identifier) @local)
(typed_default_parameter name: (identifier) @local)
(list_splat_pattern (identifier) @local)
(dictionary_splat_pattern (identifier) @local)
(assignment left: (identifier) @local)
(pattern_list (identifier) @local)
(tuple_pattern (identifier) @local)
(for_statement left: (identifier) @local)
(for_in_clause left: (identifier) @local)
(as_pattern_target (identifier) @local)
(named_expression name: (identifier) @local)

; ---- imports and assignments ------------------------------------------------------------------------------
(import_statement) @import
(import_from_statement) @import
(assignment
  left: [(identifier) (attribute)]
  right: [(call) (identifier) (attribute)]) @assign
