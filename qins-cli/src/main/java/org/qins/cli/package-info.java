/** The {@code qins} command line: one picocli subcommand class per verb. */
package org.qins.cli;
