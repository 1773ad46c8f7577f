/** Plain-text report formatting shared by the commands (tables of aligned columns). */
package org.qins.tools.report;
