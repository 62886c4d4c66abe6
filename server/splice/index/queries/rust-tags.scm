; Splice extraction query for Rust (capture names: see index/extract.py).

; ---- definitions -------------------------------------------------------------------------------------------
(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(type_item name: (type_identifier) @name) @definition.type
(mod_item name: (identifier) @name body: (_)) @definition.namespace
(macro_definition name: (identifier) @name) @definition.macro
(field_declaration_list (field_declaration name: (field_identifier) @name) @definition.field)
(enum_variant_list (enum_variant name: (identifier) @name) @definition.field)
(source_file (const_item name: (identifier) @name) @definition.constant)
(source_file (static_item name: (identifier) @name) @definition.variable)
(declaration_list (const_item name: (identifier) @name) @definition.constant)
(declaration_list (static_item name: (identifier) @name) @definition.variable)

; `impl [Trait for] Type { … }`: methods are qualified by the type, which is the parent when declared here
(impl_item type: [(type_identifier) @name
                  (generic_type type: (type_identifier) @name)
                  (scoped_type_identifier name: (type_identifier) @name)]) @container

; ---- uses ---------------------------------------------------------------------------------------------------
(call_expression function: [(identifier) (field_expression) (scoped_identifier)] @call)
(call_expression function: (generic_function function: [(identifier) (field_expression) (scoped_identifier)] @call))
(macro_invocation macro: [(identifier) (scoped_identifier)] @call)

(impl_item trait: [(type_identifier) (scoped_type_identifier) (generic_type)] @inherit)
(trait_item bounds: (trait_bounds [(type_identifier) (scoped_type_identifier) (generic_type)] @inherit))

(arguments [(identifier) (field_expression) (scoped_identifier)] @ref)
(let_declaration value: [(identifier) (field_expression) (scoped_identifier)] @ref)
(binary_expression [(identifier) (field_expression) (scoped_identifier)] @ref)
(return_expression [(identifier) (field_expression) (scoped_identifier)] @ref)
(reference_expression value: [(identifier) (field_expression) (scoped_identifier)] @ref)
(field_initializer value: [(identifier) (field_expression) (scoped_identifier)] @ref)
(array_expression [(identifier) (field_expression) (scoped_identifier)] @ref)
(struct_expression name: [(type_identifier) (scoped_type_identifier)] @ref)
(parameter type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(reference_type type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(function_item return_type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(field_declaration type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(type_arguments [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(type_item type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(const_item type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(const_item value: [(identifier) (scoped_identifier)] @ref)
(static_item type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)

; ---- names bound inside a function ------------------------------------------------------------------------
(parameter pattern: (identifier) @local)
(let_declaration pattern: (identifier) @local)
(tuple_pattern (identifier) @local)
(closure_parameters (identifier) @local)
(for_expression pattern: (identifier) @local)

; ---- imports and assignments ------------------------------------------------------------------------------
(use_declaration) @import
(let_declaration
  pattern: (identifier)
  value: [(call_expression) (struct_expression) (identifier) (field_expression) (scoped_identifier)]) @assign
(assignment_expression
  left: [(identifier) (field_expression)]
  right: [(call_expression) (struct_expression) (identifier) (field_expression) (scoped_identifier)]) @assign
