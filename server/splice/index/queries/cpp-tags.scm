; Splice extraction query for C++: definitions, bases, calls.
(function_definition declarator: (function_declarator declarator: [(identifier) (field_identifier)] @name)) @definition.function
(function_definition declarator: (function_declarator declarator: (qualified_identifier scope: (namespace_identifier) @receiver name: (identifier) @name))) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition.function
(function_definition declarator: (reference_declarator (function_declarator declarator: (identifier) @name))) @definition.function
(field_declaration_list (declaration declarator: (function_declarator declarator: [(identifier) (field_identifier)] @name)) @definition.function)
(field_declaration_list (field_declaration declarator: (function_declarator declarator: (field_identifier) @name)) @definition.function)
(field_declaration_list (field_declaration declarator: (field_identifier) @name) @definition.field)
(class_specifier name: (type_identifier) @name body: (_)) @definition.class
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
(namespace_definition name: (namespace_identifier) @name) @definition.namespace
(type_definition declarator: (type_identifier) @name) @definition.type
(alias_declaration name: (type_identifier) @name) @definition.type
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro
(translation_unit (declaration declarator: (init_declarator declarator: (identifier) @name)) @definition.variable)
(base_class_clause [(type_identifier) (qualified_identifier)] @inherit)
(call_expression function: [(identifier) (field_expression) (qualified_identifier)] @call)
