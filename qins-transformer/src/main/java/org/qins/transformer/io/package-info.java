/** Files written whole or not at all; JSON read errors said plainly. */
package org.qins.transformer.io;
