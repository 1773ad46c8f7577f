package org.qins.transformer.chat;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Answers method calls on strings with Python's {@code str} methods ({@link PythonStrings}) before
 * Jinjava's resolvers would look for a Java method of that name, and indexes strings by character
 * ({@code role[0]}, {@code s[-1]}); everything else passes through.
 */
final class PythonStringResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base instanceof String s && method instanceof String name && PythonStrings.handles(name)) {
            context.setPropertyResolved(true);
            return PythonStrings.call(s, name, params == null ? new Object[0] : params);
        }
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // Jinjava passes the index as text ("0", "-1"); a string has no property named by digits.
        if (base instanceof String s && property != null && property.toString().matches("-?\\d{1,9}")) {
            int[] chars = s.codePoints().toArray();
            int i = Integer.parseInt(property.toString());
            int at = i < 0 ? i + chars.length : i;
            if (at < 0 || at >= chars.length) {
                throw new TemplateException("string index " + i + " out of range for a string of " + chars.length);
            }
            context.setPropertyResolved(true);
            return new String(chars, at, 1);
        }
        return null;
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: the next resolver decides
    }
}
