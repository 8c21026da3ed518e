// Each generated TU compiles one public header on its own; linking them all
// with this main shows that no header defines a non-inline entity twice.
int main() { return 0; }
