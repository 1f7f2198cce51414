// Compiles core/CorePch.h once; every layer reuses the result.
