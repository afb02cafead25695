// Package arch holds no product code. Its test keeps docs/architecture.md
// true: the page's package table must list exactly the module's packages,
// each in a layer, and every package may import only packages of lower
// layers (a test file may import anything).
package arch
