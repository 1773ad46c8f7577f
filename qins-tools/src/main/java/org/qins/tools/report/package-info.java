/**
 * Reports: text and Markdown tables shared by the commands, and the layout report of
 * {@code qins report} (where a converted checkpoint's error goes: per tensor against the float
 * source, per layer as KL, written as Markdown and PNG plots).
 */
package org.qins.tools.report;
