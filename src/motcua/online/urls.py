from django.urls import path

from motcua.online import views, views_pakn

app_name = "online"
urlpatterns = [
    path("nop-truc-tuyen/<str:code>/", views.start, name="start"),
    path("nop-truc-tuyen/ho-so-nhap/<str:token>/", views.draft_page, name="draft"),
    path("nop-truc-tuyen/ho-so-nhap/<str:token>/to-khai/<str:component_id>/", views.eform_page, name="eform"),
    path("nop-truc-tuyen/ho-so-nhap/<str:token>/nop/", views.review, name="review"),
    path("ho-so-cua-toi/", views.mine, name="mine"),
    path("ho-so-cua-toi/<str:code>/", views.mine_detail, name="mine_detail"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", views.supplement, name="supplement"),
    path("ho-so-cua-toi/<str:code>/thanh-toan/", views.pay, name="pay"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", views.rate, name="rate"),
    path("phan-anh-kien-nghi/", views_pakn.answers, name="pakn_answers"),
    path("phan-anh-kien-nghi/gui/", views_pakn.send, name="pakn_send"),
    path("phan-anh-kien-nghi/<str:code>/", views_pakn.answer_page, name="pakn_answer"),
    path("phan-anh-kien-nghi/<str:code>/danh-gia/", views_pakn.vote, name="pakn_vote"),
    path("kho-du-lieu/", views.warehouse_page, name="warehouse"),
    path("kho-du-lieu/<str:item_id>/tep/", views.warehouse_file, name="warehouse_file"),
    path("kho-du-lieu/<str:item_id>/go/", views.warehouse_remove, name="warehouse_remove"),
]
