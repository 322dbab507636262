"""LF modules for the datasets lf ships or documents; examples to copy. They import only `lf`."""
