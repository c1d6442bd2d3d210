// The DOM namespaces the mirror stream knows (shared/protocol/app.md §4.1: "svg:" and "math:"
// tag prefixes, xlink:/xml:/xmlns: attributes). One place for the recorder and the mirror.

export const HTML_NS = 'http://www.w3.org/1999/xhtml';
export const SVG_NS = 'http://www.w3.org/2000/svg';
export const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';
export const XLINK_NS = 'http://www.w3.org/1999/xlink';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
