// Compat shim: the worker is written against libsrtp 3.0-alpha, where protect/unprotect take
// size_t* lengths and stream removal is srtp_stream_remove(). Debian ships libsrtp 2.5 (int*,
// srtp_remove_stream). These C++ overloads adapt one to the other.
#pragma once
#include <srtp2/srtp.h>
#include <cstddef>

namespace onair_srtp_compat {
using Fn = srtp_err_status_t (*)(srtp_t, void*, int*);
inline srtp_err_status_t call(Fn fn, srtp_t ctx, void* buf, size_t* len) {
  int l = static_cast<int>(*len);
  const srtp_err_status_t err = fn(ctx, buf, &l);
  *len = static_cast<size_t>(l);
  return err;
}
} // namespace onair_srtp_compat

inline srtp_err_status_t srtp_protect(srtp_t ctx, void* hdr, size_t* len) {
  return onair_srtp_compat::call(static_cast<onair_srtp_compat::Fn>(::srtp_protect), ctx, hdr, len);
}
inline srtp_err_status_t srtp_unprotect(srtp_t ctx, void* hdr, size_t* len) {
  return onair_srtp_compat::call(static_cast<onair_srtp_compat::Fn>(::srtp_unprotect), ctx, hdr, len);
}
inline srtp_err_status_t srtp_protect_rtcp(srtp_t ctx, void* hdr, size_t* len) {
  return onair_srtp_compat::call(static_cast<onair_srtp_compat::Fn>(::srtp_protect_rtcp), ctx, hdr, len);
}
inline srtp_err_status_t srtp_unprotect_rtcp(srtp_t ctx, void* hdr, size_t* len) {
  return onair_srtp_compat::call(static_cast<onair_srtp_compat::Fn>(::srtp_unprotect_rtcp), ctx, hdr, len);
}
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc) {
  return srtp_remove_stream(session, ssrc);
}
