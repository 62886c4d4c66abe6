; Splice extraction patterns shared by JavaScript, TypeScript and TSX (capture names: see index/extract.py).
; Not a language of its own: javascript-/typescript-tags.scm inherit it.

; ---- definitions -------------------------------------------------------------------------------------------
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(method_definition name: [(property_identifier) (private_property_identifier)] @name) @definition.function

(program (lexical_declaration (variable_declarator name: (identifier) @name) @definition.value))
(program (variable_declaration (variable_declarator name: (identifier) @name) @definition.value))
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name) @definition.value)))
(program (export_statement declaration: (variable_declaration (variable_declarator name: (identifier) @name) @definition.value)))
(program (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function))
(program (variable_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function))
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function)))
(program (lexical_declaration (variable_declarator name: (identifier) @name value: (class)) @definition.class))
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name value: (class)) @definition.class)))

; ---- uses ---------------------------------------------------------------------------------------------------
(call_expression function: [(identifier) (member_expression)] @call)
(new_expression constructor: [(identifier) (member_expression)] @call)

(arguments [(identifier) (member_expression)] @ref)
(assignment_expression right: [(identifier) (member_expression)] @ref)
(augmented_assignment_expression right: [(identifier) (member_expression)] @ref)
(variable_declarator value: [(identifier) (member_expression)] @ref)
(return_statement [(identifier) (member_expression)] @ref)
(binary_expression [(identifier) (member_expression)] @ref)
(unary_expression argument: [(identifier) (member_expression)] @ref)
(ternary_expression [(identifier) (member_expression)] @ref)
(await_expression [(identifier) (member_expression)] @ref)
(yield_expression [(identifier) (member_expression)] @ref)
(throw_statement [(identifier) (member_expression)] @ref)
(spread_element [(identifier) (member_expression)] @ref)
(array [(identifier) (member_expression)] @ref)
(pair value: [(identifier) (member_expression)] @ref)
(shorthand_property_identifier) @ref
(subscript_expression object: [(identifier) (member_expression)] @ref)
(subscript_expression index: [(identifier) (member_expression)] @ref)
(parenthesized_expression [(identifier) (member_expression)] @ref)
(expression_statement [(identifier) (member_expression)] @ref)
(arrow_function body: [(identifier) (member_expression)] @ref)
(export_statement value: [(identifier) (member_expression)] @ref)
(export_statement (export_clause (export_specifier name: (identifier) @ref)) !source)
(template_substitution [(identifier) (member_expression)] @ref)
(if_statement condition: (parenthesized_expression [(identifier) (member_expression)] @ref))

; ---- names bound inside a function ------------------------------------------------------------------------
(assignment_pattern left: (identifier) @local)
(rest_pattern (identifier) @local)
(arrow_function parameter: (identifier) @local)
(variable_declarator name: (identifier) @local)
(object_pattern (shorthand_property_identifier_pattern) @local)
(pair_pattern value: (identifier) @local)
(array_pattern (identifier) @local)
(for_in_statement left: (identifier) @local)
(catch_clause parameter: (identifier) @local)

; ---- imports and assignments ------------------------------------------------------------------------------
(import_statement) @import
(export_statement source: (_)) @import
((call_expression function: (identifier) @_require arguments: (arguments . (string) .)) @import
  (#eq? @_require "require"))
(call_expression function: (import) arguments: (arguments . (string) .)) @import

(assignment_expression
  left: [(identifier) (member_expression)]
  right: [(call_expression) (new_expression) (identifier) (member_expression)]) @assign
(export_statement "default" value: [(identifier) (member_expression)]) @assign
(export_statement "default" declaration: (_ name: (_))) @assign
(variable_declarator
  name: (identifier)
  value: [(call_expression) (new_expression) (identifier) (member_expression)]) @assign
