package org.recspark.model.tensor;

import java.util.List;

/**
 * Element-wise arithmetic of a {@link Graph}, including a row or column broadcast over a matrix.
 * Package-private: callers use the {@link Graph} facade, which records the backward steps.
 */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    static Tensor addRowVector(Graph g, Tensor x, Tensor bias) {
        int n = x.cols();
        if (bias.size() != n) {
            throw new IllegalArgumentException("bias " + bias + " for " + x);
        }
        float[] xd = x.data();
        float[] bd = bias.data();
        float[] y = g.outputArray(xd.length);
        for (int r = 0, o = 0; r < x.rows(); r++, o += n) {
            for (int j = 0; j < n; j++) {
                y[o + j] = xd[o + j] + bd[j];
            }
        }
        Tensor out = g.output(x.rows(), n, y, x, bias);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            if (x.requiresGrad()) {
                addInto(x.grad(), dy);
            }
            if (bias.requiresGrad()) {
                float[] db = bias.grad();
                for (int r = 0, o = 0; r < x.rows(); r++, o += n) {
                    for (int j = 0; j < n; j++) {
                        db[j] += dy[o + j];
                    }
                }
            }
        });
        return out;
    }

    static Tensor add(Graph g, Tensor a, Tensor b) {
        checkSameShape(a, b);
        float[] ad = a.data();
        float[] bd = b.data();
        float[] y = g.outputArray(ad.length);
        for (int i = 0; i < y.length; i++) {
            y[i] = ad[i] + bd[i];
        }
        Tensor out = g.output(a.rows(), a.cols(), y, a, b);
        g.onBackward(out, () -> {
            if (a.requiresGrad()) {
                addInto(a.grad(), out.grad());
            }
            if (b.requiresGrad()) {
                addInto(b.grad(), out.grad());
            }
        });
        return out;
    }

    static Tensor sum(Graph g, List<Tensor> terms) {
        Tensor acc = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            acc = add(g, acc, terms.get(i));
        }
        return acc;
    }

    static Tensor sub(Graph g, Tensor a, Tensor b) {
        return add(g, a, scale(g, b, -1f));
    }

    static Tensor mul(Graph g, Tensor a, Tensor b) {
        checkSameShape(a, b);
        float[] ad = a.data();
        float[] bd = b.data();
        float[] y = g.outputArray(ad.length);
        for (int i = 0; i < y.length; i++) {
            y[i] = ad[i] * bd[i];
        }
        Tensor out = g.output(a.rows(), a.cols(), y, a, b);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            if (a.requiresGrad()) {
                float[] da = a.grad();
                for (int i = 0; i < dy.length; i++) {
                    da[i] += dy[i] * bd[i];
                }
            }
            if (b.requiresGrad()) {
                float[] db = b.grad();
                for (int i = 0; i < dy.length; i++) {
                    db[i] += dy[i] * ad[i];
                }
            }
        });
        return out;
    }

    static Tensor scale(Graph g, Tensor a, float s) {
        float[] ad = a.data();
        float[] y = g.outputArray(ad.length);
        for (int i = 0; i < y.length; i++) {
            y[i] = ad[i] * s;
        }
        Tensor out = g.output(a.rows(), a.cols(), y, a);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] da = a.grad();
            for (int i = 0; i < dy.length; i++) {
                da[i] += dy[i] * s;
            }
        });
        return out;
    }

    static Tensor rsub(Graph g, float s, Tensor a) {
        float[] ad = a.data();
        float[] y = g.outputArray(ad.length);
        for (int i = 0; i < y.length; i++) {
            y[i] = s - ad[i];
        }
        Tensor out = g.output(a.rows(), a.cols(), y, a);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] da = a.grad();
            for (int i = 0; i < dy.length; i++) {
                da[i] -= dy[i];
            }
        });
        return out;
    }

    static Tensor mulColumn(Graph g, Tensor x, Tensor s, int col) {
        if (s.rows() != x.rows() || col < 0 || col >= s.cols()) {
            throw new IllegalArgumentException("column " + col + " of " + s + " for " + x);
        }
        int n = x.cols();
        int k = s.cols();
        float[] xd = x.data();
        float[] sd = s.data();
        float[] y = g.outputArray(xd.length);
        for (int r = 0; r < x.rows(); r++) {
            float w = sd[r * k + col];
            for (int j = 0, o = r * n; j < n; j++) {
                y[o + j] = xd[o + j] * w;
            }
        }
        Tensor out = g.output(x.rows(), n, y, x, s);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.requiresGrad() ? x.grad() : null;
            float[] ds = s.requiresGrad() ? s.grad() : null;
            for (int r = 0; r < x.rows(); r++) {
                float w = sd[r * k + col];
                float acc = 0;
                for (int j = 0, o = r * n; j < n; j++) {
                    if (dx != null) {
                        dx[o + j] += dy[o + j] * w;
                    }
                    acc += dy[o + j] * xd[o + j];
                }
                if (ds != null) {
                    ds[r * k + col] += acc;
                }
            }
        });
        return out;
    }

    static Tensor mulRowVector(Graph g, Tensor x, Tensor v) {
        int n = x.cols();
        if (v.size() != n) {
            throw new IllegalArgumentException("row vector " + v + " for " + x);
        }
        float[] xd = x.data();
        float[] vd = v.data();
        float[] y = g.outputArray(xd.length);
        for (int r = 0; r < x.rows(); r++) {
            for (int j = 0; j < n; j++) {
                y[r * n + j] = xd[r * n + j] * vd[j];
            }
        }
        Tensor out = g.output(x.rows(), n, y, x, v);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.requiresGrad() ? x.grad() : null;
            float[] dv = v.requiresGrad() ? v.grad() : null;
            for (int r = 0; r < x.rows(); r++) {
                for (int j = 0; j < n; j++) {
                    int i = r * n + j;
                    if (dx != null) {
                        dx[i] += dy[i] * vd[j];
                    }
                    if (dv != null) {
                        dv[j] += dy[i] * xd[i];
                    }
                }
            }
        });
        return out;
    }

    private static void addInto(float[] target, float[] source) {
        for (int i = 0; i < target.length; i++) {
            target[i] += source[i];
        }
    }

    private static void checkSameShape(Tensor a, Tensor b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException("shapes differ: " + a + " and " + b);
        }
    }
}
