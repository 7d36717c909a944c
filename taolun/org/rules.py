import rules

from taolun.org.predicates import in_scope

rules.add_perm("org.view_unit", in_scope)
