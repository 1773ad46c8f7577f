/** Files written whole or not at all. */
package org.qins.transformer.io;
