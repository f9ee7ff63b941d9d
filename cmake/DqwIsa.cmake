# Per-file ISA flags. One library binary serves every x86-64 CPU: the baseline is plain x86-64,
# and only files named *_avx2.cpp / *_avx512.cpp are compiled for those instruction sets. Which
# one runs is chosen at run time (cpuid) by native/src/cpu.cpp, never by -march=native.
#
# Rule for ISA files: keep every function in an anonymous namespace (or static) and avoid inline
# functions / templates shared with other files: the linker keeps one copy of an inline function,
# and it could be the AVX-512 one, which the scalar path would then execute.
set(DQW_FLAGS_AVX2   "-mavx2 -mfma -mf16c")
set(DQW_FLAGS_AVX512 "-mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni -mavx512bf16")

function(dqw_apply_isa_flags)
  foreach(src IN LISTS ARGN)
    if(src MATCHES "_avx512\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_FLAGS "${DQW_FLAGS_AVX512}")
    elseif(src MATCHES "_avx2\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_FLAGS "${DQW_FLAGS_AVX2}")
    endif()
  endforeach()
endfunction()
