; Splice extraction query for C# (the grammar wheel ships no tags.scm): definitions, bases, calls.
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(namespace_declaration name: [(identifier) (qualified_name)] @name) @definition.namespace
(method_declaration name: (identifier) @name) @definition.function
(constructor_declaration name: (identifier) @name) @definition.function
(property_declaration name: (identifier) @name) @definition.field
(field_declaration (variable_declaration (variable_declarator name: (identifier) @name))) @definition.field
(enum_member_declaration name: (identifier) @name) @definition.constant
(delegate_declaration name: (identifier) @name) @definition.type
(base_list [(identifier) (qualified_name) (generic_name)] @inherit)
(invocation_expression function: [(identifier) (member_access_expression)] @call)
(object_creation_expression type: [(identifier) (qualified_name)] @call)
