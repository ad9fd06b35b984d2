"""The 21 SDG procedures, their forms and requirements, and citizens' applications."""
