/** The engine worker pool (org.qins.api.Parallel), shared by linear layers and attention. */
package org.qins.transformer.parallel;
